-- fails when: a mention's surface is not the article text at its offsets
select mentions.article_id, mentions.start_char, mentions.surface
from mentions
inner join articles
    on articles.article_id = mentions.article_id
where mentions.load_id = $load_id
    and articles.load_id = $load_id
    and substr(articles.text, mentions.start_char + 1, mentions.end_char - mentions.start_char)
        is distinct from mentions.surface
