-- GET /users/{id} without HTTP: the service's statement, an id drawn uniformly from 1..:rows.
\set id random(1, :rows)
SELECT id, name, email, created_at, updated_at FROM users WHERE id = :id;
