-- AgentChat's core tables (see the backup guide), with a few rows each.
CREATE TABLE user (
  user_id VARCHAR(32) PRIMARY KEY,
  user_name VARCHAR(64) NOT NULL,
  user_email VARCHAR(128),
  create_time DATETIME DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE agent (
  id VARCHAR(32) PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  description TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE dialog (
  dialog_id VARCHAR(32) PRIMARY KEY,
  user_id VARCHAR(32) NOT NULL,
  agent_id VARCHAR(32),
  name VARCHAR(128),
  create_time DATETIME DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE message (
  message_id BIGINT AUTO_INCREMENT PRIMARY KEY,
  dialog_id VARCHAR(32) NOT NULL,
  role VARCHAR(16) NOT NULL,
  content MEDIUMTEXT,
  create_time DATETIME DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE knowledge (
  id VARCHAR(32) PRIMARY KEY,
  name VARCHAR(128) NOT NULL,
  description TEXT,
  user_id VARCHAR(32)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE knowledge_file (
  id VARCHAR(32) PRIMARY KEY,
  knowledge_id VARCHAR(32) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  oss_url VARCHAR(512),
  file_size BIGINT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE usage_stats (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  user_id VARCHAR(32),
  agent VARCHAR(64),
  model VARCHAR(64),
  input_tokens INT,
  output_tokens INT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO user (user_id, user_name, user_email) VALUES
  ('u1', 'admin', 'admin@example.com'), ('u2', '张三', 'zhang@example.com'), ('u3', 'bob', NULL);
INSERT INTO agent VALUES ('a1', 'helper', 'General assistant'), ('a2', 'coder', 'Writes code 🤖');
INSERT INTO dialog (dialog_id, user_id, agent_id, name) VALUES ('d1', 'u1', 'a1', 'first'), ('d2', 'u2', 'a2', '第二个');
INSERT INTO message (dialog_id, role, content) VALUES
  ('d1', 'user', 'hello'), ('d1', 'assistant', 'hi! 👋'), ('d2', 'user', '你好');
INSERT INTO knowledge VALUES ('k1', 'docs', 'product docs', 'u1');
INSERT INTO knowledge_file VALUES ('f1', 'k1', 'manual.pdf', 'oss://bucket/manual.pdf', 123456);
INSERT INTO usage_stats (user_id, agent, model, input_tokens, output_tokens) VALUES ('u1', 'helper', 'gpt', 10, 20);
