-- The warehouse's tables. Fact tables carry no primary key: a changed file's rows
-- are replaced by delete + insert in one transaction, which DuckDB does slowly on
-- keyed tables; uniqueness is asserted by the checks in sql/checks/ instead.

create table if not exists source_files (
    path varchar primary key,       -- relative to the input root, '/'-separated
    sha256 varchar,                 -- of the raw bytes; null when the file could not be read
    size_bytes bigint,
    modified_at timestamp,          -- file modification time, UTC
    status varchar not null,        -- loaded | duplicate | rejected | removed (see README)
    reason varchar,                 -- why it was not loaded, or what was noteworthy when it was
    encoding varchar,               -- utf-8, utf-8-sig, utf-16, utf-32, cp1252, latin-1
    source_format varchar,          -- kyodo | plain | jsonl
    article_count integer not null, -- articles loaded from this file
    loaded_at timestamp not null    -- when this row was last written
);

create table if not exists articles (
    article_id varchar not null,    -- stable per (path, position in file)
    source varchar,                 -- e.g. 'Kyodo News'; null when the file names none
    headline varchar not null,
    text varchar not null,          -- headline, blank line, body: what every offset points into
    dateline varchar,               -- as written, e.g. 'April 10'
    published_date date not null,
    date_basis varchar not null,    -- dateline+path | dateline+mtime | dateline+reference | path | mtime | reference | field
    source_path varchar not null,
    source_format varchar not null,
    content_hash varchar not null,  -- sha256 of the normalised headline and body
    loaded_at timestamp not null
);

create table if not exists sentences (
    article_id varchar not null,
    sentence_no integer not null,   -- 0-based within the article; the headline is sentence 0
    paragraph_no integer not null,  -- the headline is paragraph 0
    start_char bigint not null,     -- Python character offsets into articles.text
    end_char bigint not null,
    sentence varchar not null,
    is_truncated boolean not null   -- body sentence with no closing punctuation (cut off in capture)
);

create table if not exists mentions (
    article_id varchar not null,
    sentence_no integer not null,
    start_char bigint not null,
    end_char bigint not null,
    surface varchar not null,       -- equals substr of articles.text at these offsets
    entity_id varchar not null,
    entity_type varchar not null,   -- country | place | person | organization
    mention_kind varchar not null,  -- name | capital | demonym | place | person | organization
    country_code varchar            -- null when the entity belongs to no country
);

create table if not exists countries (
    country_code varchar primary key,
    iso3 varchar,
    name varchar not null,
    is_historical boolean not null
);

create table if not exists entities (
    entity_id varchar primary key,
    entity_type varchar not null,
    name varchar not null,
    country_code varchar
);
