-- A few rows in every table of schema.sql, and objects no model
-- describes: a table with its enum type, an unused enum type, and a
-- schema of another application.

INSERT INTO language (name) VALUES ('English'), ('Italian');
INSERT INTO actor (first_name, last_name) VALUES ('PENELOPE', 'GUINESS'), ('NICK', 'WAHLBERG');
INSERT INTO category (name) VALUES ('Action'), ('Comedy');
INSERT INTO film (title, description, release_year, language_id, length, rating, special_features)
    VALUES ('ACADEMY DINOSAUR', 'An epic drama', 2006, 1, 86, 'PG', '{Deleted Scenes}'),
           ('ACE GOLDFINGER', 'An astounding epistle', 2006, 1, 48, 'G', '{Trailers}');
INSERT INTO film_actor (actor_id, film_id) VALUES (1, 1), (2, 1), (2, 2);
INSERT INTO film_category (film_id, category_id) VALUES (1, 1), (2, 2);
INSERT INTO country (country) VALUES ('Canada');
INSERT INTO city (city, country_id) VALUES ('Lethbridge', 1);
INSERT INTO address (address, district, city_id, phone) VALUES ('47 MySakila Drive', 'Alberta', 1, '555');
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE store DISABLE TRIGGER ALL;
INSERT INTO store (manager_staff_id, address_id) VALUES (1, 1);
ALTER TABLE store ENABLE TRIGGER ALL;
COMMIT;
INSERT INTO staff (first_name, last_name, address_id, store_id, username) VALUES ('Mike', 'Hillyer', 1, 1, 'Mike');
INSERT INTO customer (store_id, first_name, last_name, address_id, active) VALUES (1, 'MARY', 'SMITH', 1, 1);
INSERT INTO inventory (film_id, store_id) VALUES (1, 1), (2, 1);
INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) VALUES ('2022-05-24 22:53:30+00', 1, 1, 1);
INSERT INTO sales.payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (1, 1, 1, 2.99, '2022-05-25 11:30:37+00');

CREATE TYPE invoice_state AS ENUM ('open', 'paid');
CREATE TABLE invoices (id serial PRIMARY KEY, customer_id smallint REFERENCES customer, state invoice_state NOT NULL);
INSERT INTO invoices (customer_id, state) VALUES (1, 'open'), (1, 'paid');
CREATE TYPE legacy_status AS ENUM ('old', 'new');
CREATE SCHEMA reporting;
CREATE TABLE reporting.daily (day date PRIMARY KEY, rentals integer NOT NULL);
INSERT INTO reporting.daily VALUES ('2022-05-24', 1);
