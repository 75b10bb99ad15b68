-- One row per audit record. record_id is the idempotency key; the ledger is the only
-- writer and skips ids already present, and every insert carries a deduplication
-- token, which MergeTree honours only with non_replicated_deduplication_window set.
CREATE TABLE IF NOT EXISTS {db:Identifier}.{table:Identifier}
(
    record_id       String,
    kind            LowCardinality(String),
    event_id        String,
    event_type      LowCardinality(String),
    event_time      DateTime64(6, 'UTC'),
    recorded_at     DateTime64(6, 'UTC'),
    ingested_at     DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC'),
    service         LowCardinality(String),
    jurisdiction    LowCardinality(String),
    use_case        LowCardinality(String),
    purpose         String,
    requester_org   String,
    requester_type  LowCardinality(String),
    decision_id     String,
    policy_revision LowCardinality(String),
    allowed         Nullable(Bool),
    reason_codes    Array(LowCardinality(String)),
    reasons         String COMMENT 'JSON array of {code, requirement, legal_ref, message}',
    obligations     String COMMENT 'JSON object',
    outcome         Nullable(String),
    score           Nullable(Float64),
    threshold       Nullable(Float64),
    max_fmr         Nullable(Float64),
    model_id        LowCardinality(String),
    model_version   LowCardinality(String),
    model_sha256    String,
    input_sha256    Array(String),
    details         String COMMENT 'JSON object',
    INDEX idx_record_id record_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (jurisdiction, event_time, record_id)
SETTINGS non_replicated_deduplication_window = 10000
