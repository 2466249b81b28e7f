-- fails when: a loaded article has no sentence
select articles.article_id
from articles
where articles.article_id in (select article_id from batch_articles)
    and not exists (
        select 1 from sentences where sentences.article_id = articles.article_id
    )
