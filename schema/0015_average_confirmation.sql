-- hemalink schema, version 15: a patient-based average alarms only after a configured number of
-- points in a row outside its limits (`confirm`: Bull's XbarM defaults to two batches, because
-- one batch outside 3 % now and then is chance in a stable population). Each point records how
-- many points in a row, itself included, have been outside, so the count resumes after a restart.

ALTER TABLE qc_patient_averages ADD COLUMN outside_points integer NOT NULL DEFAULT 0
  CHECK (outside_points >= 0);
UPDATE qc_patient_averages SET outside_points = 1 WHERE is_excursion;
COMMENT ON COLUMN qc_patient_averages.outside_points IS 'Points in a row outside [low, high], this one included (0: inside).';
COMMENT ON COLUMN qc_patient_averages.is_excursion IS 'The average has been outside its limits for the configured number of points in a row: an alarm.';
