-- The second source of tests/import.rs: what a schema may hold beyond the shop: a domain,
-- interval, bytea and inet columns, numeric without a scale, float8, timestamp without a
-- time zone, a table name with a space, a column named like a keyword, a CHECK with OR ... IS
-- NULL and one with a regular expression, a table without a key and an empty table.
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE "Odd Things" (
  "order" int PRIMARY KEY,
  label varchar(40) NOT NULL UNIQUE,
  amount numeric,
  ratio float8 NOT NULL,
  at timestamp NOT NULL,
  span interval,
  blob bytea,
  ip inet,
  qty posint NOT NULL,
  same text NOT NULL,
  kind text NOT NULL CHECK (kind ~ '^[a-z]+$'),
  lo int NOT NULL, hi int NOT NULL, CHECK (lo <= hi OR hi IS NULL)
);
INSERT INTO "Odd Things" SELECT i, md5(i::text), (i * 1.2345)::numeric, i / 7.0, timestamp '2024-01-01' + i * interval '1 minute', i * interval '1 hour', decode(md5(i::text), 'hex'), ('10.0.0.' || (i % 200))::inet, 1 + i % 9, 'same', (ARRAY['alpha','beta','gamma'])[1 + i % 3], i % 10, i % 10 + 5 FROM generate_series(1, 300) i;
CREATE TABLE nokey (a text, b int);
INSERT INTO nokey SELECT 'x' || (i % 4), i FROM generate_series(1, 50) i;
CREATE TABLE empty_one (id int PRIMARY KEY, v text NOT NULL);
CREATE TABLE child_of_nokey_less (id serial PRIMARY KEY, thing int REFERENCES "Odd Things"("order"), note text);
INSERT INTO child_of_nokey_less (thing, note) SELECT 1 + (i * 7) % 300, NULL FROM generate_series(1, 500) i;
