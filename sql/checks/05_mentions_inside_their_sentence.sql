-- fails when: a mention lies outside the sentence it names
select mentions.article_id, mentions.sentence_no, mentions.start_char
from mentions
left join sentences
    on sentences.article_id = mentions.article_id
    and sentences.sentence_no = mentions.sentence_no
where mentions.load_id = $load_id
    and (
        sentences.article_id is null
        or mentions.start_char < sentences.start_char
        or mentions.end_char > sentences.end_char
    )
