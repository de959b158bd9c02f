-- The one schema both services share. The services validate every rule below
-- before they write; these constraints are the backstop that keeps the data
-- right whatever client writes to the table.
CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    email      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT users_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT users_name_not_blank CHECK (name ~ '[^[:space:]]'),
    CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_email_shape CHECK (email ~ '^[!-?A-~]+@[a-z0-9.-]+$'),
    CONSTRAINT users_timestamps_ordered CHECK (updated_at >= created_at)
);

-- E-mail addresses are unique whatever their case: Ada@example.com and
-- ada@example.com are one person. The services map a violation of this index
-- (SQLSTATE 23505) to 409 Conflict, so concurrent sign-ups cannot both win.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
