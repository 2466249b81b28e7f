-- fails when: a mention lies outside the sentence it names
-- (its sentence must be in the same load: mentions and sentences of an article are written together)
select mentions.article_id, mentions.sentence_no, mentions.start_char
from mentions
left join sentence_spans
    on sentence_spans.article_id = mentions.article_id
    and sentence_spans.sentence_no = mentions.sentence_no
    and sentence_spans.load_id = $load_id
where mentions.load_id = $load_id
    and (
        sentence_spans.article_id is null
        or mentions.start_char < sentence_spans.start_char
        or mentions.end_char > sentence_spans.end_char
    )
