-- POST /users without HTTP: the service's statement. Every e-mail address is unique: the run's
-- nonce, the client and a counter of its own (pgbench keeps a client's variables from one
-- transaction to the next; -D k=0 starts them all at 0). The address is put together by the
-- server, since pgbench has no string variables; that is one concat() more than the service's
-- statement does.
\set k :k + 1
INSERT INTO users (name, email)
VALUES ('Bench User', concat('p', :nonce::text, 'c', :client_id::text, 'n', :k::text, '@example.com'))
RETURNING id, name, email, created_at, updated_at;
