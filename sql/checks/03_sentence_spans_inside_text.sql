-- fails when: a sentence span of this load is empty, or does not lie inside the text of an
-- article of this load (the sentences view cuts each sentence from that text at the span's
-- offsets, so a span past its end would give a short sentence, and one without its article none).
-- DuckDB's length counts code points, as Python's len does: tried on 'Zürich', '한국어', 'a😀b',
-- '👍🏽', '🇯🇵 Japan', 'é' written e + U+0301, '👩‍💻' (joined by U+200D), all equal (strlen
-- counts UTF-8 bytes and length_grapheme what a reader sees as one character; neither would do).
-- Each text is measured once, not once per span: length walks the whole text.
with load_articles as materialized (
    select
        articles.article_id,
        length(articles.text) as text_length,
    from articles
    where articles.load_id = $load_id
)

select sentence_spans.article_id, sentence_spans.sentence_no
from sentence_spans
left join load_articles
    on load_articles.article_id = sentence_spans.article_id
where sentence_spans.load_id = $load_id
    and (
        load_articles.article_id is null
        or not (
            0 <= sentence_spans.start_char
            and sentence_spans.start_char < sentence_spans.end_char
            and sentence_spans.end_char <= load_articles.text_length
        )
    )
