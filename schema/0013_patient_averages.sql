-- hemalink schema, version 13: patient-based real-time QC. Where each patient-based average
-- (Bull's XbarM of the red-cell indices, a moving average or an EWMA of a test) stood each time
-- it was judged against its limits, stored with the message whose results completed it: the
-- series the API and the page chart, and where the averages resume after a restart.

CREATE TABLE qc_patient_averages (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   uuid NOT NULL REFERENCES messages (id),
  analyzer_id  bigint NOT NULL REFERENCES analyzers (id),
  test         text NOT NULL,
  method       text NOT NULL CHECK (method IN ('xbarm', 'ma', 'ewma')),
  value        double precision NOT NULL,
  results      bigint NOT NULL,
  target       double precision NOT NULL,
  low          double precision NOT NULL,
  high         double precision NOT NULL,
  is_excursion boolean NOT NULL,
  acts_on_gate boolean NOT NULL DEFAULT false,
  at           timestamptz NOT NULL
);
CREATE INDEX qc_patient_averages_series ON qc_patient_averages (analyzer_id, test, method, id);
COMMENT ON TABLE qc_patient_averages IS 'Patient-based QC: each point of each analyzer''s averages (XbarM, MA, EWMA) as it was judged.';
COMMENT ON COLUMN qc_patient_averages.message_id IS 'The message whose patient results completed the point.';
COMMENT ON COLUMN qc_patient_averages.method IS 'xbarm (Bull''s algorithm, one point per batch), ma (moving average) or ewma.';
COMMENT ON COLUMN qc_patient_averages.value IS 'The average.';
COMMENT ON COLUMN qc_patient_averages.results IS 'Patient results averaged since the average began or resumed.';
COMMENT ON COLUMN qc_patient_averages.target IS 'The target of the average.';
COMMENT ON COLUMN qc_patient_averages.low IS 'Below this the average is an excursion.';
COMMENT ON COLUMN qc_patient_averages.high IS 'Above this the average is an excursion.';
COMMENT ON COLUMN qc_patient_averages.is_excursion IS 'The average is outside its limits: an alarm.';
COMMENT ON COLUMN qc_patient_averages.acts_on_gate IS 'The excursion put the test''s QC gate out (until an accepted control run).';
COMMENT ON COLUMN qc_patient_averages.at IS 'When the message arrived.';
