-- An activity's streams kept as bytes beside its JSON (pa-core's `Streams::to_bytes`): a 1 MB
-- FIT file's were 2.1 MB of JSON numbers to encode, hash, write and parse back. Activities
-- stored before keep theirs in the body until written again; a read takes either.
ALTER TABLE activities ADD COLUMN streams BLOB;
