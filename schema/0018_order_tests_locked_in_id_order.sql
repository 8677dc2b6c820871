-- hemalink schema, version 18: results that mark ordered tests resulted lock those tests first,
-- in id order, as every transaction of hemalink that changes several order tests does (the marks
-- of query answers and downloads, order changes, reruns): two such transactions wait for each
-- other instead of deadlocking. The rest of the function is version 17's.

CREATE OR REPLACE FUNCTION order_tests_resulted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  by_analyzer record;
  actor text := current_setting('hemalink.actor', true);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM orders) THEN
    RETURN NULL;  -- a lab that takes no orders pays one probe
  END IF;
  PERFORM t.id FROM order_tests t
    JOIN orders o ON o.id = t.order_id
    JOIN inserted_results n ON n.specimen_id = o.specimen_id AND n.code = t.code
   WHERE t.is_mapped AND NOT n.is_qc
   ORDER BY t.id FOR NO KEY UPDATE OF t;
  FOR by_analyzer IN
    SELECT DISTINCT n.analyzer_id, a.name FROM inserted_results n
      JOIN analyzers a ON a.id = n.analyzer_id
     WHERE NOT n.is_qc AND EXISTS (SELECT 1 FROM orders o WHERE o.specimen_id = n.specimen_id)
  LOOP
    PERFORM set_config('hemalink.actor', 'analyzer:' || by_analyzer.name, true);
    UPDATE order_tests t SET status = 'resulted', analyzer = by_analyzer.name, status_at = now()
      FROM orders o, inserted_results n
     WHERE t.order_id = o.id AND o.specimen_id = n.specimen_id AND t.code = n.code
       AND t.is_mapped AND n.analyzer_id = by_analyzer.analyzer_id AND NOT n.is_qc
       AND t.status IN ('ordered', 'sent', 'acknowledged');
  END LOOP;
  PERFORM set_config('hemalink.actor', coalesce(actor, ''), true);
  RETURN NULL;
END;
$$;
