-- What a logical backup of a PostgreSQL server must bring back (issue #18): an extension, bytea,
-- jsonb, arrays, sequences set by hand, a plpgsql trigger, a view, a materialized view, a role with
-- grants, and a second database. Random bytes: each `up` on an empty volume makes different data.
CREATE EXTENSION pgcrypto;
CREATE ROLE reader LOGIN PASSWORD 'reader-Pa55';

CREATE TABLE docs (
  id bigserial PRIMARY KEY,
  title text NOT NULL,
  body bytea,
  meta jsonb,
  tags text[],
  digest text
);
CREATE FUNCTION docs_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.digest := encode(digest(coalesce(NEW.body, ''::bytea), 'sha256'), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER docs_digest BEFORE INSERT OR UPDATE ON docs FOR EACH ROW EXECUTE FUNCTION docs_digest();
INSERT INTO docs (title, body, meta, tags)
  SELECT 'doc ' || i, gen_random_bytes(64), jsonb_build_object('n', i, 'even', i % 2 = 0, 'r', random()),
         ARRAY['t' || (i % 5), 'all']
  FROM generate_series(1, 500) i;

CREATE SEQUENCE invoice_no;
SELECT setval('invoice_no', 100000 + (random() * 1000)::int);
CREATE VIEW even_docs AS SELECT id, title FROM docs WHERE (meta->>'even')::boolean;
CREATE MATERIALIZED VIEW tag_counts AS SELECT unnest(tags) AS tag, count(*) AS n, sum(length(body)) AS bytes FROM docs GROUP BY 1;
GRANT SELECT ON docs, even_docs TO reader;

CREATE DATABASE analytics;
\c analytics
CREATE TABLE events (id int PRIMARY KEY, kind text, at timestamptz DEFAULT now(), payload jsonb);
INSERT INTO events SELECT i, 'k' || (i % 3), now() - i * interval '1 minute', jsonb_build_object('r', random())
  FROM generate_series(1, 200) i;
GRANT SELECT ON events TO reader;
