-- A cancel asked for from any process: the process running the run reads it at each page commit and at each entity
-- start, so a cluster's API node can cancel a run another node executes.
ALTER TABLE junction_sync_run ADD COLUMN cancel_requested BOOLEAN DEFAULT FALSE NOT NULL;
