-- fails when: an article_id written by this load appears more than once in articles
select articles.article_id, count(*) as row_count
from articles
where articles.article_id in (
    select loaded.article_id from articles as loaded where loaded.load_id = $load_id
)
group by articles.article_id
having count(*) > 1
