-- fails when: a loaded article has no sentence
select articles.article_id
from articles
where articles.load_id = $load_id
    and not exists (
        select 1 from sentence_spans
        where sentence_spans.load_id = $load_id and sentence_spans.article_id = articles.article_id
    )
