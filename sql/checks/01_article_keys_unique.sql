-- fails when: an article_id appears twice
select article_id, count(*) as row_count
from articles
where article_id in (select article_id from batch_articles)
group by article_id
having count(*) > 1
