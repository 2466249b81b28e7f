-- fails when: two loaded articles share the same normalised text
select content_hash, count(*) as row_count
from articles
where content_hash in (
    select content_hash from articles
    where load_id = $load_id
)
group by content_hash
having count(*) > 1
