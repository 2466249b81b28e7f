-- fails when: two loaded articles share the same normalised text
select content_hash, count(*) as row_count
from articles
where content_hash in (
    select content_hash from articles
    where article_id in (select article_id from batch_articles)
)
group by content_hash
having count(*) > 1
