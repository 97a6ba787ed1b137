-- A record version can be corrected once: concurrent corrections of the same record conflict.
CREATE UNIQUE INDEX records_corrects ON assessment.records (corrects);
