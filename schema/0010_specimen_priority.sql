-- hemalink schema, version 10: how urgent the analyzer says a specimen is, so that STAT specimens
-- head the review queue.

ALTER TABLE specimens ADD COLUMN priority text NOT NULL DEFAULT ''
  CHECK (priority IN ('', 'routine', 'asap', 'stat'));

COMMENT ON COLUMN specimens.priority IS 'stat, asap or routine as the analyzer sent it (ASTM O-6; HL7 TQ1-9, OBR-27.6 or OBR-5); empty when it sent none.';
