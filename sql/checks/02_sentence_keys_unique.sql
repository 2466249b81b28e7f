-- fails when: an (article_id, sentence_no) appears twice
select article_id, sentence_no, count(*) as row_count
from sentence_spans
where load_id = $load_id
group by article_id, sentence_no
having count(*) > 1
