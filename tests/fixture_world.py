"""The project's own real-world-shaped fixture: a small rental shop, built in code.

It covers what the Sakila sample covers, so the suite needs nothing outside this
repository: a NOT NULL foreign-key cycle (store <-> staff), self-references
(staff.reports_to, category.parent_id), views over views (three levels), triggers with
side effects (film -> film_text) and a BEFORE INSERT trigger, procedures and functions,
a POINT column with a SPATIAL index, a FULLTEXT index, ENUM/SET, YEAR, generated
columns (virtual and stored), utf8mb3 and utf8mb4 tables side by side, BLOBs, a keyless
table, and some thousands of deterministic rows (no randomness, no NOW()).

``WORLD_SCHEMA`` is the DDL as statements; ``world_schema_script()`` renders it as a
mariadb-client script (DELIMITER around compound statements) for ``plan --ddl`` and for
loading a schema "as its migrations would"; ``create_world()`` builds schema and data.
"""
from __future__ import annotations

from pathlib import Path

from dumpcore.connect.connection import Connection, quote_ident

WORLD_TABLES = ["actor", "address", "audit_note", "category", "city", "country", "customer", "film", "film_actor",
                "film_category", "film_text", "inventory", "language", "payment", "rental", "staff", "store"]
WORLD_VIEWS = ["customer_list", "film_list", "sales_by_category", "sales_by_store", "store_summary",
               "top_categories"]
WORLD_TRIGGERS = ["film_ad", "film_ai", "film_au", "rental_bi"]
WORLD_ROUTINES = ["customer_balance", "film_in_stock", "inventory_in_stock", "rewards_report"]

# Rows per table (the data below is a pure function of these numbers).
COUNTS = {"country": 20, "city": 120, "address": 400, "language": 6, "category": 16, "actor": 200, "film": 500,
          "film_actor": 1500, "film_category": 500, "film_text": 500, "store": 2, "staff": 6, "customer": 300,
          "inventory": 2000, "rental": 6000, "payment": 6000, "audit_note": 250}

WORLD_SCHEMA: list[str] = [
    """CREATE TABLE country (
  country_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  country VARCHAR(50) NOT NULL,
  PRIMARY KEY (country_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE city (
  city_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  city VARCHAR(50) NOT NULL,
  country_id SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (city_id),
  KEY idx_fk_country_id (country_id),
  CONSTRAINT fk_city_country FOREIGN KEY (country_id) REFERENCES country (country_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE address (
  address_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  address VARCHAR(50) NOT NULL,
  district VARCHAR(20) NOT NULL,
  city_id SMALLINT UNSIGNED NOT NULL,
  postal_code VARCHAR(10) DEFAULT NULL,
  location POINT NOT NULL,
  PRIMARY KEY (address_id),
  KEY idx_fk_city_id (city_id),
  SPATIAL KEY idx_location (location),
  CONSTRAINT fk_address_city FOREIGN KEY (city_id) REFERENCES city (city_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    # utf8mb3 next to the utf8mb4 tables, as in databases that grew over the years.
    """CREATE TABLE language (
  language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name CHAR(20) NOT NULL,
  PRIMARY KEY (language_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3""",
    """CREATE TABLE category (
  category_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(25) NOT NULL,
  parent_id TINYINT UNSIGNED NULL,
  PRIMARY KEY (category_id),
  CONSTRAINT fk_category_parent FOREIGN KEY (parent_id) REFERENCES category (category_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE actor (
  actor_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  PRIMARY KEY (actor_id),
  KEY idx_actor_last_name (last_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3""",
    """CREATE TABLE film (
  film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title VARCHAR(128) NOT NULL,
  description TEXT DEFAULT NULL,
  release_year YEAR DEFAULT NULL,
  language_id TINYINT UNSIGNED NOT NULL,
  original_language_id TINYINT UNSIGNED DEFAULT NULL,
  rental_rate DECIMAL(4,2) NOT NULL DEFAULT 4.99,
  length SMALLINT UNSIGNED DEFAULT NULL,
  rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
  special_features SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') DEFAULT NULL,
  title_length SMALLINT AS (CHAR_LENGTH(title)) VIRTUAL,
  rate_cents INT AS (rental_rate * 100) STORED,
  PRIMARY KEY (film_id),
  KEY idx_title (title),
  KEY idx_fk_language_id (language_id),
  KEY idx_fk_original_language_id (original_language_id),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id) ON UPDATE CASCADE,
  CONSTRAINT fk_film_language_original FOREIGN KEY (original_language_id) REFERENCES language (language_id)
    ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE film_actor (
  actor_id SMALLINT UNSIGNED NOT NULL,
  film_id SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (actor_id, film_id),
  KEY idx_fk_film_id (film_id),
  CONSTRAINT fk_film_actor_actor FOREIGN KEY (actor_id) REFERENCES actor (actor_id) ON UPDATE CASCADE,
  CONSTRAINT fk_film_actor_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE film_category (
  film_id SMALLINT UNSIGNED NOT NULL,
  category_id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (film_id, category_id),
  CONSTRAINT fk_film_category_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON UPDATE CASCADE,
  CONSTRAINT fk_film_category_category FOREIGN KEY (category_id) REFERENCES category (category_id)
    ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    # Kept in step with `film` by the triggers below (their side effects must not double it).
    """CREATE TABLE film_text (
  film_id SMALLINT UNSIGNED NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  PRIMARY KEY (film_id),
  FULLTEXT KEY idx_title_description (title, description)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    # store <-> staff: a cycle of NOT NULL foreign keys; staff also reports to staff.
    """CREATE TABLE store (
  store_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  manager_staff_id TINYINT UNSIGNED NOT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  PRIMARY KEY (store_id),
  UNIQUE KEY idx_unique_manager (manager_staff_id),
  KEY idx_fk_address_id (address_id),
  CONSTRAINT fk_store_staff FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id) ON UPDATE CASCADE,
  CONSTRAINT fk_store_address FOREIGN KEY (address_id) REFERENCES address (address_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE staff (
  staff_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  picture BLOB DEFAULT NULL,
  email VARCHAR(50) DEFAULT NULL,
  store_id TINYINT UNSIGNED NOT NULL,
  reports_to TINYINT UNSIGNED NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (staff_id),
  KEY idx_fk_store_id (store_id),
  KEY idx_fk_address_id (address_id),
  CONSTRAINT fk_staff_store FOREIGN KEY (store_id) REFERENCES store (store_id) ON UPDATE CASCADE,
  CONSTRAINT fk_staff_address FOREIGN KEY (address_id) REFERENCES address (address_id) ON UPDATE CASCADE,
  CONSTRAINT fk_staff_reports_to FOREIGN KEY (reports_to) REFERENCES staff (staff_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3""",
    """CREATE TABLE customer (
  customer_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  store_id TINYINT UNSIGNED NOT NULL,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  email VARCHAR(50) DEFAULT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  create_date DATETIME NOT NULL,
  PRIMARY KEY (customer_id),
  KEY idx_fk_store_id (store_id),
  KEY idx_fk_address_id (address_id),
  KEY idx_last_name (last_name),
  CONSTRAINT fk_customer_address FOREIGN KEY (address_id) REFERENCES address (address_id) ON UPDATE CASCADE,
  CONSTRAINT fk_customer_store FOREIGN KEY (store_id) REFERENCES store (store_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE inventory (
  inventory_id MEDIUMINT UNSIGNED NOT NULL AUTO_INCREMENT,
  film_id SMALLINT UNSIGNED NOT NULL,
  store_id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (inventory_id),
  KEY idx_fk_film_id (film_id),
  KEY idx_store_id_film_id (store_id, film_id),
  CONSTRAINT fk_inventory_store FOREIGN KEY (store_id) REFERENCES store (store_id) ON UPDATE CASCADE,
  CONSTRAINT fk_inventory_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE rental (
  rental_id INT NOT NULL AUTO_INCREMENT,
  rental_date DATETIME NOT NULL,
  inventory_id MEDIUMINT UNSIGNED NOT NULL,
  customer_id SMALLINT UNSIGNED NOT NULL,
  return_date DATETIME DEFAULT NULL,
  staff_id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (rental_id),
  UNIQUE KEY (rental_date, inventory_id, customer_id),
  KEY idx_fk_inventory_id (inventory_id),
  KEY idx_fk_customer_id (customer_id),
  KEY idx_fk_staff_id (staff_id),
  CONSTRAINT fk_rental_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id) ON UPDATE CASCADE,
  CONSTRAINT fk_rental_inventory FOREIGN KEY (inventory_id) REFERENCES inventory (inventory_id) ON UPDATE CASCADE,
  CONSTRAINT fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE payment (
  payment_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id SMALLINT UNSIGNED NOT NULL,
  staff_id TINYINT UNSIGNED NOT NULL,
  rental_id INT DEFAULT NULL,
  amount DECIMAL(5,2) NOT NULL,
  payment_date DATETIME NOT NULL,
  PRIMARY KEY (payment_id),
  KEY idx_fk_staff_id (staff_id),
  KEY idx_fk_customer_id (customer_id),
  CONSTRAINT fk_payment_rental FOREIGN KEY (rental_id) REFERENCES rental (rental_id) ON DELETE SET NULL
    ON UPDATE CASCADE,
  CONSTRAINT fk_payment_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id) ON UPDATE CASCADE,
  CONSTRAINT fk_payment_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    # No primary key, no unique key: restore cannot upsert it.
    """CREATE TABLE audit_note (
  noted_at DATETIME NOT NULL,
  who VARCHAR(30) CHARACTER SET utf8mb3 NOT NULL,
  note TEXT,
  attachment MEDIUMBLOB
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    # Views, three levels deep: tables <- sales_by_category <- top_categories <- store_summary.
    """CREATE VIEW customer_list AS
SELECT cu.customer_id AS ID, CONCAT(cu.first_name, ' ', cu.last_name) AS name, a.address AS address,
       a.postal_code AS `zip code`, city.city AS city, country.country AS country, cu.store_id AS SID
FROM customer AS cu JOIN address AS a ON cu.address_id = a.address_id JOIN city ON a.city_id = city.city_id
JOIN country ON city.country_id = country.country_id""",
    """CREATE VIEW film_list AS
SELECT film.film_id AS FID, film.title AS title, category.name AS category, film.rental_rate AS price,
       film.length AS length, film.rating AS rating
FROM film LEFT JOIN film_category ON film_category.film_id = film.film_id
LEFT JOIN category ON category.category_id = film_category.category_id""",
    """CREATE VIEW sales_by_category AS
SELECT c.name AS category, SUM(p.amount) AS total_sales
FROM payment AS p JOIN rental AS r ON p.rental_id = r.rental_id
JOIN inventory AS i ON r.inventory_id = i.inventory_id JOIN film AS f ON i.film_id = f.film_id
JOIN film_category AS fc ON f.film_id = fc.film_id JOIN category AS c ON fc.category_id = c.category_id
GROUP BY c.name""",
    """CREATE VIEW sales_by_store AS
SELECT s.store_id AS store_id, CONCAT(m.first_name, ' ', m.last_name) AS manager, SUM(p.amount) AS total_sales
FROM payment AS p JOIN rental AS r ON p.rental_id = r.rental_id
JOIN inventory AS i ON r.inventory_id = i.inventory_id JOIN store AS s ON i.store_id = s.store_id
JOIN staff AS m ON s.manager_staff_id = m.staff_id
GROUP BY s.store_id, m.first_name, m.last_name""",
    """CREATE VIEW top_categories AS
SELECT category, total_sales FROM sales_by_category WHERE total_sales > 0""",
    """CREATE VIEW store_summary AS
SELECT s.store_id, s.total_sales, (SELECT COUNT(*) FROM top_categories) AS categories_sold
FROM sales_by_store AS s""",
    """CREATE TRIGGER film_ai AFTER INSERT ON film FOR EACH ROW BEGIN
  INSERT INTO film_text (film_id, title, description) VALUES (NEW.film_id, NEW.title, NEW.description);
END""",
    """CREATE TRIGGER film_au AFTER UPDATE ON film FOR EACH ROW BEGIN
  IF (OLD.title != NEW.title) OR (OLD.description != NEW.description) OR (OLD.film_id != NEW.film_id) THEN
    UPDATE film_text SET title = NEW.title, description = NEW.description, film_id = NEW.film_id
    WHERE film_id = OLD.film_id;
  END IF;
END""",
    """CREATE TRIGGER film_ad AFTER DELETE ON film FOR EACH ROW BEGIN
  DELETE FROM film_text WHERE film_id = OLD.film_id;
END""",
    """CREATE TRIGGER rental_bi BEFORE INSERT ON rental FOR EACH ROW
  SET NEW.return_date = IF(NEW.return_date < NEW.rental_date, NULL, NEW.return_date)""",
    """CREATE FUNCTION inventory_in_stock(p_inventory_id INT) RETURNS BOOLEAN
READS SQL DATA
BEGIN
  DECLARE v_out INT;
  SELECT COUNT(*) INTO v_out FROM rental WHERE inventory_id = p_inventory_id AND return_date IS NULL;
  RETURN v_out = 0;
END""",
    """CREATE FUNCTION customer_balance(p_customer_id INT) RETURNS DECIMAL(9,2)
READS SQL DATA
BEGIN
  DECLARE v_paid DECIMAL(9,2);
  SELECT IFNULL(SUM(amount), 0) INTO v_paid FROM payment WHERE customer_id = p_customer_id;
  RETURN v_paid;
END""",
    """CREATE PROCEDURE film_in_stock(IN p_film_id INT, IN p_store_id INT, OUT p_film_count INT)
READS SQL DATA
BEGIN
  SELECT COUNT(*) INTO p_film_count FROM inventory
  WHERE film_id = p_film_id AND store_id = p_store_id AND inventory_in_stock(inventory_id);
END""",
    """CREATE PROCEDURE rewards_report(IN min_purchases INT)
READS SQL DATA
BEGIN
  SELECT customer_id, COUNT(*) AS purchases FROM payment GROUP BY customer_id HAVING COUNT(*) >= min_purchases;
END""",
]

# Deterministic data from the server's sequence tables: values are functions of `seq`.
WORLD_DATA: list[str] = [
    "INSERT INTO country SELECT seq, CONCAT(ELT(1 + seq % 5, 'Lândia', 'Ísland', 'Ω-land', 'Nord', 'Süd'), ' ', seq) "
    "FROM seq_1_to_{country}",
    "INSERT INTO city SELECT seq, CONCAT('City ', seq, IF(seq % 7 = 0, ' d''Or', '')), 1 + seq % {country} "
    "FROM seq_1_to_{city}",
    "INSERT INTO address SELECT seq, CONCAT(seq, ' Main St'), ELT(1 + seq % 3, 'North', 'South', 'Zürich'), "
    "1 + seq % {city}, IF(seq % 9 = 0, NULL, LPAD(seq * 37 % 100000, 5, '0')), "
    "POINT(seq / 10, -seq / 7) FROM seq_1_to_{address}",
    "INSERT INTO language VALUES (1, 'English'), (2, 'Italian'), (3, 'Japanese 日本語'), (4, 'Mandarin'), "
    "(5, 'French'), (6, 'German')",
    "INSERT INTO category SELECT seq, CONCAT('Category ', seq), IF(seq <= 4, NULL, 1 + seq % 4) "
    "FROM seq_1_to_{category}",
    "INSERT INTO actor SELECT seq, CONCAT('First', seq), CONCAT('Last', seq % 50, IF(seq % 11 = 0, ' O''Neil', '')) "
    "FROM seq_1_to_{actor}",
    "INSERT INTO film (film_id, title, description, release_year, language_id, original_language_id, rental_rate, "
    "length, rating, special_features) SELECT seq, CONCAT('FILM ', seq, IF(seq % 13 = 0, ' \\\\ \"quoted\"', '')), "
    "IF(seq % 17 = 0, NULL, CONCAT('A tale of ', seq, ' things\\nin two lines')), 1990 + seq % 30, 1 + seq % 6, "
    "IF(seq % 5 = 0, 1 + (seq + 2) % 6, NULL), 0.99 + (seq % 5), 46 + seq % 140, 1 + seq % 5, seq % 16 "
    "FROM seq_1_to_{film}",
    "INSERT INTO film_actor SELECT 1 + seq % {actor}, 1 + (seq DIV 3) % {film} FROM seq_0_to_{film_actor_last}",
    "INSERT INTO film_category SELECT seq, 1 + seq % {category} FROM seq_1_to_{film}",
    "INSERT INTO staff SELECT seq, CONCAT('Staff', seq), CONCAT('Member ☃', seq), seq, "
    "IF(seq % 2 = 0, NULL, CONCAT(UNHEX('00FF5C27220D0A1A'), UNHEX(SHA2(seq, 256)), REPEAT(CHAR(seq), 300))), "
    "CONCAT('staff', seq, '@example.com'), 1 + seq % {store}, IF(seq <= {store}, NULL, 1 + seq % {store}), seq % 3 > 0 "
    "FROM seq_1_to_{staff}",
    "INSERT INTO store SELECT seq, seq, seq FROM seq_1_to_{store}",
    "INSERT INTO customer SELECT seq, 1 + seq % {store}, CONCAT('Cust', seq), CONCAT('Ómer', seq % 40), "
    "IF(seq % 10 = 0, NULL, CONCAT('c', seq, '@example.org')), 1 + seq % {address}, seq % 20 > 0, "
    "'2020-01-01' + INTERVAL seq HOUR FROM seq_1_to_{customer}",
    "INSERT INTO inventory SELECT seq, 1 + seq % {film}, 1 + seq % {store} FROM seq_1_to_{inventory}",
    "INSERT INTO rental SELECT seq, '2024-01-01 08:00:00' + INTERVAL seq * 13 MINUTE, 1 + seq % {inventory}, "
    "1 + seq % {customer}, IF(seq % 50 = 0, NULL, '2024-01-03 10:00:00' + INTERVAL seq * 13 MINUTE), "
    "1 + seq % {staff} FROM seq_1_to_{rental}",
    "INSERT INTO payment SELECT seq, 1 + seq % {customer}, 1 + seq % {staff}, IF(seq % 97 = 0, NULL, seq), "
    "0.99 + (seq * 7 % 1100) / 100, '2024-01-02 09:00:00' + INTERVAL seq * 13 MINUTE FROM seq_1_to_{payment}",
    "INSERT INTO audit_note SELECT '2024-06-01' + INTERVAL (seq % 40) DAY, ELT(1 + seq % 3, 'ops', 'ça', 'app'), "
    "IF(seq % 8 = 0, NULL, CONCAT('note ', seq % 60, ' 😀')), IF(seq % 5 = 0, UNHEX(SHA2(seq % 60, 512)), NULL) "
    "FROM seq_1_to_{audit_note}",
]


def world_schema_script(database: str | None = None) -> str:
    """The schema as a mariadb-client script: compound statements inside DELIMITER ;;"""
    parts = ["-- dumpcore test fixture: the rental-shop world\n", "SET FOREIGN_KEY_CHECKS = 0;\n"]
    if database:
        parts.append(f"USE {quote_ident(database)};\n")
    for stmt in WORLD_SCHEMA:
        if "BEGIN" in stmt:
            parts.append(f"DELIMITER ;;\n{stmt};;\nDELIMITER ;\n")
        else:
            parts.append(stmt + ";\n")
    parts.append("SET FOREIGN_KEY_CHECKS = 1;\n")
    return "\n".join(parts)


def write_world_schema(path: Path, database: str | None = None) -> Path:
    path.write_text(world_schema_script(database))
    return path


def create_world(conn: Connection, database: str, with_data: bool = True) -> dict[str, int]:
    """Create ``database`` afresh with the world's schema (and data). Returns rows per table."""
    q = quote_ident(database)
    conn.execute(f"DROP DATABASE IF EXISTS {q}")
    conn.execute(f"CREATE DATABASE {q} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    conn.execute(f"USE {q}")
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0, sql_mode = 'STRICT_TRANS_TABLES', time_zone = '+00:00'")
    for stmt in WORLD_SCHEMA:
        conn.execute(stmt)
    if not with_data:
        return {}
    fmt = {**COUNTS, "film_actor_last": COUNTS["film_actor"] - 1}
    for stmt in WORLD_DATA:
        conn.execute(stmt.format(**fmt))
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
    return {t: int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(t)}")) for t in WORLD_TABLES}
