-- Sentences keep their offsets only: the text is already in articles.text. Stored twice
-- it made every load, commit and checkpoint slower and the file larger (Reuters: 34.1 MB
-- against 24.1 MB, loads 1.14 s against 0.90 s). The view sentences
-- (sql/views/00_sentences.sql) cuts each sentence from its article's text and has the
-- columns, in the order, the table had.
create table sentence_spans (
    article_id varchar not null,
    sentence_no integer not null,   -- 0-based within the article; the headline is sentence 0
    paragraph_no integer not null,  -- the headline is paragraph 0
    start_char bigint not null,     -- Python character offsets into articles.text
    end_char bigint not null,
    is_truncated boolean not null,  -- body sentence with no closing punctuation (cut off in capture)
    load_id bigint
);

-- In table order, which is load order: the load_id filters of sql/checks/ keep skipping row groups.
insert into sentence_spans
select
    sentences.article_id,
    sentences.sentence_no,
    sentences.paragraph_no,
    sentences.start_char,
    sentences.end_char,
    sentences.is_truncated,
    sentences.load_id,
from sentences;

-- Nothing may change on the way: every stored sentence must be its article's text at its
-- offsets (check 03 asserted it on every load). Where it is not, the migration stops here and
-- rolls back, leaving the warehouse as it was.
select error(
    'migration 004 stopped, nothing changed: sentence ' || sentences.sentence_no
    || ' of article ' || sentences.article_id
    || ' is not its article''s text at its offsets, so it cannot be stored as a span;'
    || ' rebuild the warehouse: move the .duckdb file aside and run wirehouse again'
)
from sentences
left join articles
    on articles.article_id = sentences.article_id
where articles.article_id is null
    or substr(articles.text, sentences.start_char + 1, sentences.end_char - sentences.start_char)
    is distinct from sentences.sentence
limit 1;

drop table sentences;
