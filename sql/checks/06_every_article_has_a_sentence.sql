-- fails when: a loaded article has no sentence
select articles.article_id
from articles
where articles.load_id = $load_id
    and not exists (
        select 1 from sentences
        where sentences.load_id = $load_id and sentences.article_id = articles.article_id
    )
