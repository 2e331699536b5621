import { describe, expect, it } from 'vitest';
import { Cursor } from '../../../src/sql/cursor.js';
import { renderCreateTable } from '../../../src/sql/ddl-render.js';
import { hiveToDuckDbType, parseHiveTypeText } from '../../../src/sql/hive-types.js';
import { decodeDelimiter } from '../../../src/sql/statements/delimiter.js';
import {
  misspeltProperty,
  parseCreateExternalTable,
} from '../../../src/sql/statements/external-table-parser.js';
import { tokenize, withoutTrailingSemicolons } from '../../../src/sql/tokenizer.js';

function parse(sql: string) {
  return parseCreateExternalTable(new Cursor(withoutTrailingSemicolons(tokenize(sql).tokens), sql));
}

describe('sql hive types', () => {
  it.each([
    ['int', 'INTEGER'],
    ['INTEGER', 'INTEGER'],
    ['string', 'VARCHAR'],
    ['varchar(20)', 'VARCHAR'],
    ['char(3)', 'VARCHAR'],
    ['decimal(12, 2)', 'DECIMAL(12,2)'],
    ['decimal', 'DECIMAL(10,0)'],
    ['double precision', 'DOUBLE'],
    ['binary', 'BLOB'],
    ['array<int>', 'INTEGER[]'],
    ['array<array<string>>', 'VARCHAR[][]'],
    ['map<string,array<bigint>>', 'MAP(VARCHAR, BIGINT[])'],
    ['struct<a:int, b:struct<c:string>>', 'STRUCT("a" INTEGER, "b" STRUCT("c" VARCHAR))'],
  ])('%s → %s', (hive, duck) => {
    expect(hiveToDuckDbType(hive)).toBe(duck);
  });

  it.each([
    ['blob', "unknown column type 'blob'"],
    ['decimal(39,2)', 'DECIMAL precision between 1 and 38'],
    ['decimal(5,6)', 'DECIMAL scale between 0 and 5'],
    ['varchar(0)', 'VARCHAR length'],
    ['array<int', "expected '>'"],
    ['map<array<int>,int>', 'map keys must be a primitive type'],
    ['struct<a:int,a:int>', 'duplicate struct field name'],
    [`${'array<'.repeat(40)}int${'>'.repeat(40)}`, 'nested deeper'],
  ])('refuses %s', (text, message) => {
    expect(() => parseHiveTypeText(text)).toThrow(message);
    expect(() => parseHiveTypeText(text)).toThrow(expect.objectContaining({ errno: 1064 }));
  });
});

describe('sql CREATE EXTERNAL TABLE parser', () => {
  it('parses the DLA example with every clause', () => {
    const t = parse(`CREATE EXTERNAL TABLE IF NOT EXISTS Sales.Orders (
        id BIGINT COMMENT 'order id', amount DECIMAL(12,2), tags ARRAY<STRING>, note STRING
      ) COMMENT 'orders'
      PARTITIONED BY (dt STRING)
      ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' LINES TERMINATED BY '\\n'
      STORED AS TEXTFILE LOCATION 'file:///data/orders/'
      TBLPROPERTIES ('skip.header.line.count'='1', 'x'='y');`);
    expect(t).toEqual({
      kind: 'createExternalTable',
      ifNotExists: true,
      schema: 'sales',
      name: 'orders',
      columns: [
        { name: 'id', type: 'BIGINT', comment: 'order id' },
        { name: 'amount', type: 'DECIMAL(12,2)' },
        { name: 'tags', type: 'ARRAY<STRING>' },
        { name: 'note', type: 'STRING' },
      ],
      partitionColumns: [{ name: 'dt', type: 'STRING' }],
      format: 'TEXTFILE',
      location: 'file:///data/orders/',
      delimiter: '|',
      properties: { 'skip.header.line.count': '1', x: 'y' },
      comment: 'orders',
    });
  });

  it('defaults delimiters per format and accepts clauses in any order', () => {
    expect(parse("CREATE EXTERNAL TABLE t (a INT) LOCATION 's3://b/p/' STORED AS CSV").delimiter).toBe(',');
    expect(parse("CREATE EXTERNAL TABLE t (a INT) STORED AS TEXTFILE LOCATION 'file:///x'").delimiter).toBe(
      '\u0001',
    );
    expect(
      parse("CREATE EXTERNAL TABLE t (a INT) STORED AS PARQUET LOCATION 'file:///x'").delimiter,
    ).toBeUndefined();
    expect(
      parse(
        "CREATE EXTERNAL TABLE t (a INT) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' STORED AS CSV LOCATION 'file:///x'",
      ).delimiter,
    ).toBe('\t');
  });

  describe('ROW FORMAT SERDE - read as Hive reads it, or refused', () => {
    const OPEN_CSV = 'org.apache.hadoop.hive.serde2.OpenCSVSerde';
    const table = (row: string, stored = 'TEXTFILE', extra = '') =>
      parse(
        `CREATE EXTERNAL TABLE db.t (a INT, b STRING) ROW FORMAT SERDE ${row} STORED AS ${stored} LOCATION 'file:///x/'${extra}`,
      );

    it("OpenCSVSerde (DLA's CSV example) is a CSV table with its separator, quote and escape", () => {
      const def = table(
        `'${OPEN_CSV}' WITH SERDEPROPERTIES ('separatorChar'=';', 'quoteChar'='''', 'escapeChar'='\\\\')`,
      );
      expect(def).toMatchObject({
        format: 'CSV',
        delimiter: ';',
        properties: {
          serde: OPEN_CSV,
          'serde.separatorChar': ';',
          'serde.quoteChar': "'",
          'serde.escapeChar': '\\',
        },
      });
      expect(table(`'${OPEN_CSV}'`)).toMatchObject({
        format: 'CSV',
        delimiter: ',',
        properties: { serde: OPEN_CSV },
      });
    });

    it('a JSON SerDe over text files is a JSON table; LazySimpleSerDe takes field.delim', () => {
      expect(table("'org.openx.data.jsonserde.JsonSerDe'").format).toBe('JSON');
      expect(table("'org.apache.hive.hcatalog.data.JsonSerDe'", 'JSON').format).toBe('JSON');
      expect(
        table(
          "'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' WITH SERDEPROPERTIES ('field.delim'='|', 'serialization.null.format'='')",
        ),
      ).toMatchObject({ format: 'TEXTFILE', delimiter: '|' });
    });

    it('round-trips through SHOW CREATE TABLE with its SERDEPROPERTIES', () => {
      const first = table(`'${OPEN_CSV}' WITH SERDEPROPERTIES ('separatorChar'='\\t', 'quoteChar'='"')`);
      const rendered = renderCreateTable({ ...first, schema: 'db', owner: 'root', createdAt: new Date() });
      expect(rendered).toContain(`ROW FORMAT SERDE '${OPEN_CSV}' WITH SERDEPROPERTIES (`);
      expect(rendered).not.toContain('TBLPROPERTIES');
      expect(parse(rendered)).toEqual({ ...first, ifNotExists: false });
    });

    it.each([
      ["'com.example.MySerDe'", 'TEXTFILE', '', 'LC_SQL_UNSUPPORTED'],
      [`'${OPEN_CSV}' WITH SERDEPROPERTIES ('strictQuotes'='true')`, 'TEXTFILE', '', 'LC_SQL_UNSUPPORTED'],
      [
        "'org.openx.data.jsonserde.JsonSerDe' WITH SERDEPROPERTIES ('ignore.malformed.json'='true')",
        'TEXTFILE',
        '',
        'LC_SQL_UNSUPPORTED',
      ],
      ["'org.openx.data.jsonserde.JsonSerDe'", 'PARQUET', '', 'LC_SQL_SYNTAX'],
      [`'${OPEN_CSV}' WITH SERDEPROPERTIES ('separatorChar'=';;')`, 'TEXTFILE', '', 'LC_SQL_SYNTAX'],
      [`'${OPEN_CSV}'`, 'TEXTFILE', " TBLPROPERTIES ('serde.quoteChar'='x')", 'LC_SQL_SYNTAX'],
      [`'${OPEN_CSV}'`, 'TEXTFILE', " TBLPROPERTIES ('serde'='x')", 'LC_SQL_SYNTAX'],
    ])('refuses %s STORED AS %s%s', (row, stored, extra, code) => {
      expect(() => table(row, stored, extra)).toThrow(expect.objectContaining({ code }));
    });
  });

  it('round-trips through SHOW CREATE TABLE', () => {
    const sql = `CREATE EXTERNAL TABLE db.t (a INT COMMENT 'it''s', m MAP<STRING,INT>) COMMENT 'c' PARTITIONED BY (dt STRING)
      ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\001' STORED AS TEXTFILE LOCATION 'file:///x/' TBLPROPERTIES ('k'='v')`;
    const first = parse(sql);
    const rendered = renderCreateTable({ ...first, schema: 'db', owner: 'root', createdAt: new Date() });
    expect(parse(rendered)).toEqual({ ...first, ifNotExists: false });
  });

  it.each([
    [
      "CREATE EXTERNAL TABLE t (a FOO) STORED AS CSV LOCATION 'file:///x'",
      "unknown column type 'FOO' near 'FOO",
    ],
    ["CREATE EXTERNAL TABLE t (a INT, A INT) STORED AS CSV LOCATION 'file:///x'", 'duplicate column name'],
    [
      "CREATE EXTERNAL TABLE t (a INT) PARTITIONED BY (a STRING) STORED AS CSV LOCATION 'file:///x'",
      'duplicate column name',
    ],
    ["CREATE EXTERNAL TABLE t (a INT) STORED AS XML LOCATION 'file:///x'", 'expected a file format'],
    ["CREATE EXTERNAL TABLE t (a INT) LOCATION 'file:///x'", 'expected STORED AS'],
    ["CREATE EXTERNAL TABLE t (a INT) STORED AS CSV LOCATION '/etc/'", "expected a location 'file:///"],
    [
      "CREATE EXTERNAL TABLE t (a INT) STORED AS CSV STORED AS CSV LOCATION 'file:///x'",
      'duplicate STORED clause',
    ],
    [
      "CREATE EXTERNAL TABLE t (a INT) STORED AS CSV LOCATION 'file:///x' GARBAGE",
      'expected COMMENT, PARTITIONED BY',
    ],
    [
      "CREATE EXTERNAL TABLE t (a INT) ROW FORMAT DELIMITED FIELDS TERMINATED BY 'ab' STORED AS CSV LOCATION 'file:///x'",
      'one character',
    ],
    [
      "CREATE EXTERNAL TABLE t (a INT) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS PARQUET LOCATION 'file:///x'",
      'does not apply to PARQUET',
    ],
    [
      "CREATE EXTERNAL TABLE t (a INT) STORED AS CSV LOCATION 'file:///x' TBLPROPERTIES ('skip.header.line.count'='x')",
      'small non-negative integer',
    ],
    ...[
      'skip.header.line.cuont',
      'skip_header_line_count',
      'Skip.Header.Line.Count',
      'skip.header.lines.count',
    ].map((key) => [
      `CREATE EXTERNAL TABLE t (a INT) STORED AS CSV LOCATION 'file:///x' TBLPROPERTIES ('${key}'='1')`,
      `unknown table property '${key}': did you mean 'skip.header.line.count'?`,
    ]),
    ["CREATE EXTERNAL TABLE t (a INT STORED AS CSV LOCATION 'file:///x'", "expected ')'"],
    ['CREATE EXTERNAL TABLE t (', 'expected a column name'],
  ])('refuses %s with LC_SQL_SYNTAX', (sql, message) => {
    expect(() => parse(sql)).toThrow(message);
    expect(() => parse(sql)).toThrow(expect.objectContaining({ code: 'LC_SQL_SYNTAX', errno: 1064 }));
  });

  it.each([
    [
      "CREATE EXTERNAL TABLE `x/../y` (a INT) STORED AS CSV LOCATION 'file:///x'",
      'LC_CATALOG_INVALID_TABLE_NAME',
    ],
    [
      "CREATE EXTERNAL TABLE t (`a\"; DROP` INT) STORED AS CSV LOCATION 'file:///x'",
      'LC_CATALOG_INVALID_TABLE_NAME',
    ],
    [
      `CREATE EXTERNAL TABLE ${'t'.repeat(1_000_000)} (a INT) STORED AS CSV LOCATION 'file:///x'`,
      'LC_CATALOG_INVALID_TABLE_NAME',
    ],
    [
      "CREATE EXTERNAL TABLE information_schema.t (a INT) STORED AS CSV LOCATION 'file:///x'",
      'LC_CATALOG_INVALID_SCHEMA_NAME',
    ],
    ["CREATE EXTERNAL TABLE t (a INT) STORED AS ORC LOCATION 'file:///x'", 'LC_SQL_UNSUPPORTED'],
    ["CREATE EXTERNAL TABLE t (a INT) STORED AS CSV LOCATION 'oss://bucket/x'", 'LC_SQL_UNSUPPORTED'],
    ['CREATE TABLE t (a INT) STORED AS CSV', 'LC_SQL_UNSUPPORTED'],
    // Clauses that would change how files are read and that the readers cannot honour: refused, never ignored.
    ...[
      "FIELDS TERMINATED BY ',' ESCAPED BY '\\\\'",
      "COLLECTION ITEMS TERMINATED BY '\\002'",
      "MAP KEYS TERMINATED BY '\\003'",
    ].map((clause) => [
      `CREATE EXTERNAL TABLE t (a INT) ROW FORMAT DELIMITED ${clause} STORED AS TEXTFILE LOCATION 'file:///x'`,
      'LC_SQL_UNSUPPORTED',
    ]),
  ])('refuses hostile or unsupported %#', (sql, code) => {
    expect(() => parse(sql)).toThrow(expect.objectContaining({ code }));
  });

  it("NULL DEFINED AS is kept as 'serialization.null.format' (also accepted as that property, not both)", () => {
    const base = "CREATE EXTERNAL TABLE t (a INT) STORED AS TEXTFILE LOCATION 'file:///x'";
    expect(
      parse(base.replace('STORED', "ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' NULL DEFINED AS '' STORED"))
        .properties,
    ).toEqual({ 'serialization.null.format': '' });
    expect(parse(`${base} TBLPROPERTIES ('serialization.null.format'='NA')`).properties).toEqual({
      'serialization.null.format': 'NA',
    });
    expect(() =>
      parse(
        base.replace('STORED', "ROW FORMAT DELIMITED NULL DEFINED AS '' STORED") +
          " TBLPROPERTIES ('serialization.null.format'='NA')",
      ),
    ).toThrow('both given');
    expect(() =>
      parse(
        "CREATE EXTERNAL TABLE t (a INT) STORED AS PARQUET LOCATION 'file:///x' TBLPROPERTIES ('serialization.null.format'='')",
      ),
    ).toThrow('does not apply to PARQUET');
  });

  it('decodes Hive delimiter escapes', () => {
    expect(decodeDelimiter('\\001')).toBe('\u0001');
    expect(decodeDelimiter('\\u0002')).toBe('\u0002');
    expect(decodeDelimiter('\\t')).toBe('\t');
    expect(decodeDelimiter('||')).toBeNull();
  });
});

describe('TBLPROPERTIES keys', () => {
  it('a near miss of a key Lakecast acts on is named; exact and unrelated keys pass (kept as metadata)', () => {
    expect(misspeltProperty('skip.header.line.cuont')).toBe('skip.header.line.count');
    expect(misspeltProperty('skip.header.line.count')).toBeUndefined();
    for (const key of [
      'comment',
      'recursive.directories',
      'creator',
      'skip',
      'x',
      'skip.footer.line.count',
    ]) {
      expect(misspeltProperty(key), key).toBeUndefined();
    }
  });
});
