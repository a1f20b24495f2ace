-- Every kind of column and object a dump must carry: binary, JSON, spatial-free numerics, dates,
-- enums, a MyISAM table, a view, a trigger, a routine, an event.
CREATE TABLE type_zoo (
  id INT AUTO_INCREMENT PRIMARY KEY,
  b BLOB,
  vb VARBINARY(16),
  j JSON,
  d DECIMAL(20,6),
  f DOUBLE,
  bits BIT(8),
  e ENUM('small','large'),
  s SET('a','b','c'),
  dt DATETIME(6),
  ts TIMESTAMP NULL,
  y YEAR,
  t TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO type_zoo (b, vb, j, d, f, bits, e, s, dt, ts, y, t) VALUES
  (UNHEX('00FF10275C27'), UNHEX('DEADBEEF'), '{"k": [1, "二"]}', 12345.678901, 1e-300, b'10100101',
   'large', 'a,c', '2026-11-24 02:00:00.123456', '2026-11-24 02:00:00', 2026, 'quote \' backslash \\ (paren) ;'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE audit_log (id INT PRIMARY KEY, note VARCHAR(64)) ENGINE=MyISAM;
INSERT INTO audit_log VALUES (1, 'myisam row');
CREATE VIEW dialog_count AS SELECT user_id, COUNT(*) AS n FROM dialog GROUP BY user_id;
CREATE TRIGGER message_touch BEFORE INSERT ON message FOR EACH ROW SET NEW.role = LOWER(NEW.role);
CREATE PROCEDURE count_users(OUT n INT) SELECT COUNT(*) INTO n FROM user;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO DELETE FROM usage_stats WHERE id < 0;
