-- fails when: an (article_id, sentence_no) appears twice
select article_id, sentence_no, count(*) as row_count
from sentences
where article_id in (select article_id from batch_articles)
group by article_id, sentence_no
having count(*) > 1
