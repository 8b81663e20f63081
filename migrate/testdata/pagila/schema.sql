-- A Pagila-shaped schema (the DVD-rental sample database), written for
-- Crucible's tests and docs/migrations.md, "Adopting an existing
-- database". It is loaded with psql into a database that predates
-- Crucible: serial keys, smallint foreign keys, an enum and a domain,
-- arrays and tsvector, indexes of several methods (GiST, GIN, BRIN,
-- hash), a partial index, an operator class, a composite unique index in
-- an order of its own, a reference cycle (store <-> staff), a second
-- schema, views, functions and triggers.

CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');

CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);

CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_update = CURRENT_TIMESTAMP;
    RETURN NEW;
END $$;

CREATE TABLE actor (
    actor_id serial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX idx_actor_last_name ON actor (last_name);

CREATE TABLE category (
    category_id serial PRIMARY KEY,
    name text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE language (
    language_id serial PRIMARY KEY,
    name character(20) NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE film (
    film_id serial PRIMARY KEY,
    title text NOT NULL,
    description text,
    release_year year,
    language_id smallint NOT NULL REFERENCES language (language_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    rental_duration smallint DEFAULT 3 NOT NULL,
    rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL,
    length smallint,
    replacement_cost numeric(5,2) DEFAULT 19.99 NOT NULL,
    rating mpaa_rating DEFAULT 'G'::mpaa_rating,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    special_features text[],
    fulltext tsvector NOT NULL
);
CREATE INDEX film_fulltext_idx ON film USING gist (fulltext);
CREATE INDEX idx_title ON film (title);
CREATE INDEX idx_title_pattern ON film (title text_pattern_ops);
CREATE INDEX idx_fk_language_id ON film (language_id);
CREATE INDEX idx_special_features ON film USING gin (special_features);

CREATE TABLE film_actor (
    actor_id smallint NOT NULL REFERENCES actor (actor_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    film_id smallint NOT NULL REFERENCES film (film_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY (actor_id, film_id)
);
CREATE INDEX idx_fk_film_id ON film_actor (film_id);

CREATE TABLE film_category (
    film_id smallint NOT NULL REFERENCES film (film_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    category_id smallint NOT NULL REFERENCES category (category_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY (film_id, category_id)
);

CREATE TABLE country (
    country_id serial PRIMARY KEY,
    country text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE city (
    city_id serial PRIMARY KEY,
    city text NOT NULL,
    country_id smallint NOT NULL REFERENCES country (country_id),
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX idx_fk_country_id ON city (country_id);

CREATE TABLE address (
    address_id serial PRIMARY KEY,
    address text NOT NULL,
    address2 text,
    district text NOT NULL,
    city_id smallint NOT NULL REFERENCES city (city_id),
    postal_code text,
    phone text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX idx_fk_city_id ON address (city_id);

-- store and staff reference each other.
CREATE TABLE store (
    store_id serial PRIMARY KEY,
    manager_staff_id smallint NOT NULL,
    address_id smallint NOT NULL REFERENCES address (address_id),
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX idx_unq_manager_staff_id ON store (manager_staff_id);

CREATE TABLE staff (
    staff_id serial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    address_id smallint NOT NULL REFERENCES address (address_id),
    email text,
    store_id smallint NOT NULL REFERENCES store (store_id),
    active boolean DEFAULT true NOT NULL,
    username text NOT NULL,
    password text,
    last_update timestamp with time zone DEFAULT now() NOT NULL,
    picture bytea
);
ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id);

CREATE TABLE customer (
    customer_id serial PRIMARY KEY,
    store_id smallint NOT NULL REFERENCES store (store_id),
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text,
    address_id smallint NOT NULL REFERENCES address (address_id),
    activebool boolean DEFAULT true NOT NULL,
    create_date date DEFAULT CURRENT_DATE NOT NULL,
    last_update timestamp with time zone DEFAULT now(),
    active integer
);
CREATE INDEX idx_last_name ON customer (last_name);
CREATE INDEX idx_active_customers ON customer (store_id, last_name) WHERE activebool;

CREATE TABLE inventory (
    inventory_id serial PRIMARY KEY,
    film_id smallint NOT NULL REFERENCES film (film_id),
    store_id smallint NOT NULL REFERENCES store (store_id),
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX idx_store_id_film_id ON inventory (store_id, film_id);

CREATE TABLE rental (
    rental_id serial PRIMARY KEY,
    rental_date timestamp with time zone NOT NULL,
    inventory_id integer NOT NULL REFERENCES inventory (inventory_id),
    customer_id smallint NOT NULL REFERENCES customer (customer_id),
    return_date timestamp with time zone,
    staff_id smallint NOT NULL REFERENCES staff (staff_id),
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX idx_unq_rental_rental_date_inventory_id_customer_id ON rental (rental_date, inventory_id, customer_id);
CREATE INDEX idx_fk_inventory_id ON rental (inventory_id);
CREATE INDEX idx_rental_date_brin ON rental USING brin (rental_date);

-- Payments live in a schema of their own.
CREATE SCHEMA sales;
CREATE TYPE sales.payment_method AS ENUM ('cash', 'card');
CREATE TABLE sales.payment (
    payment_id serial PRIMARY KEY,
    customer_id smallint NOT NULL REFERENCES customer (customer_id),
    staff_id smallint NOT NULL REFERENCES staff (staff_id),
    rental_id integer REFERENCES rental (rental_id) ON DELETE SET NULL,
    amount numeric(5,2) NOT NULL CHECK (amount >= 0),
    method sales.payment_method DEFAULT 'cash' NOT NULL,
    payment_date timestamp with time zone NOT NULL
);
CREATE INDEX idx_payment_customer ON sales.payment USING hash (customer_id);

-- Triggers, views and functions: not models, kept as they are.
CREATE TRIGGER last_updated BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER film_fulltext_trigger BEFORE INSERT OR UPDATE ON film
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(fulltext, 'pg_catalog.english', title, description);

CREATE VIEW actor_info AS
    SELECT a.actor_id, a.first_name, a.last_name, count(fa.film_id) AS films
    FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
    GROUP BY a.actor_id, a.first_name, a.last_name;

CREATE VIEW sales.sales_by_store AS
    SELECT s.store_id, sum(p.amount) AS total_sales
    FROM sales.payment p
    JOIN staff st ON st.staff_id = p.staff_id
    JOIN store s ON s.store_id = st.store_id
    GROUP BY s.store_id;

CREATE FUNCTION film_in_stock(p_film_id integer, p_store_id integer) RETURNS SETOF integer
    LANGUAGE sql AS $$
    SELECT inventory_id FROM inventory WHERE film_id = $1 AND store_id = $2
$$;
