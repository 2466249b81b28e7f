-- The sentences that mention a country, with their date and the article's headline.
-- params: country (text), since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 100)
-- grain: one row per sentence that mentions the country (however many times).
with country_mentions as (
    select
        mentions.article_id,
        mentions.sentence_no,
        mentions.start_char,
        mentions.surface,
        mentions.mention_kind,
    from mentions
    where mentions.country_code = upper($country)
),

per_sentence as (
    select
        country_mentions.article_id,
        country_mentions.sentence_no,
        string_agg(country_mentions.surface, ', ' order by country_mentions.start_char) as surfaces,
        list(distinct country_mentions.mention_kind order by country_mentions.mention_kind)
            as mention_kinds,
    from country_mentions
    group by country_mentions.article_id, country_mentions.sentence_no
),

final as (
    select
        articles.published_date,
        articles.headline,
        sentences.sentence,
        per_sentence.surfaces,
        per_sentence.mention_kinds,
        per_sentence.article_id,
        per_sentence.sentence_no,
    from per_sentence
    inner join sentences
        on sentences.article_id = per_sentence.article_id
        and sentences.sentence_no = per_sentence.sentence_no
    inner join articles
        on articles.article_id = per_sentence.article_id
    where articles.published_date between $since and $until
    order by articles.published_date, per_sentence.article_id, per_sentence.sentence_no
    limit $limit
)

select * from final
