DROP TABLE response_flags;
DROP TABLE tree_heads;
DROP TABLE log_leaves;
DROP TABLE log_state;
