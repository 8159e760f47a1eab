-- While a webhook registration is in progress, the provider may send a handshake (Clio's X-Hook-Secret)
-- before or after the registration call returns; handshakes are accepted only until this time.
ALTER TABLE junction_connection ADD COLUMN webhook_handshake_until TIMESTAMP WITH TIME ZONE;

-- When an inbox entry was claimed by a worker (its lease runs until next_attempt_at).
ALTER TABLE junction_webhook_inbox ADD COLUMN claimed_at TIMESTAMP WITH TIME ZONE;
