DROP TABLE IF EXISTS {db:Identifier}.{table:Identifier}
