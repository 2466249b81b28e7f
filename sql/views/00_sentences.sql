-- grain: one row per sentence (article_id, sentence_no).
-- The columns, in order, of the sentences table that migration 004 replaced by
-- sentence_spans (the text is cut from articles.text at the span's offsets, not stored), then
-- the tone columns of migration 009.
-- DuckDB's substr counts characters (code points) as Python does, so the offsets
-- need no conversion.
-- The export runs this query up to dated_sentences (warehouse/export.py): it partitions
-- sentences by their article's date, which the one join with articles already brings.
create or replace view sentences as

with dated_sentences as (
    select
        sentence_spans.article_id,
        sentence_spans.sentence_no,
        sentence_spans.paragraph_no,
        sentence_spans.start_char,
        sentence_spans.end_char,
        substr(
            articles.text,
            sentence_spans.start_char + 1,
            sentence_spans.end_char - sentence_spans.start_char
        ) as sentence,
        sentence_spans.is_truncated,
        sentence_spans.load_id,
        sentence_spans.tone,
        sentence_spans.positive,
        sentence_spans.negative,
        sentence_spans.word_count,
        articles.published_date,
    from sentence_spans
    inner join articles
        on articles.article_id = sentence_spans.article_id
),

final as (
    select
        dated_sentences.article_id,
        dated_sentences.sentence_no,
        dated_sentences.paragraph_no,
        dated_sentences.start_char,
        dated_sentences.end_char,
        dated_sentences.sentence,
        dated_sentences.is_truncated,
        dated_sentences.load_id,
        dated_sentences.tone,
        dated_sentences.positive,
        dated_sentences.negative,
        dated_sentences.word_count,
    from dated_sentences
)

select * from final
