-- fails when: a sentence is not the article text at its offsets
select sentences.article_id, sentences.sentence_no
from sentences
inner join articles
    on articles.article_id = sentences.article_id
where sentences.load_id = $load_id
    and articles.load_id = $load_id
    and substr(articles.text, sentences.start_char + 1, sentences.end_char - sentences.start_char)
        is distinct from sentences.sentence
