-- Pairs of countries mentioned in the same sentence, among the most mentioned countries.
-- params: since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 10)
-- grain: one row per ordered pair of different countries (both orders are listed) among the top `limit` countries by mention count.
with dated_sentences as (
    select distinct
        mentions.article_id,
        mentions.sentence_no,
        mentions.country_code,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
    where mentions.country_code is not null
        and articles.published_date between $since and $until
),

top_countries as (
    select
        daily.country_code,
        sum(daily.mention_count) as mention_count,
    from country_mentions_daily as daily
    where daily.mention_date between $since and $until
        and daily.mention_count > 0
    group by daily.country_code
    order by mention_count desc, daily.country_code
    limit $limit
),

pairs as (
    select
        left_side.country_code as country_code,
        right_side.country_code as other_country_code,
        count(*) as sentence_count,
    from dated_sentences as left_side
    inner join dated_sentences as right_side
        on right_side.article_id = left_side.article_id
        and right_side.sentence_no = left_side.sentence_no
        and right_side.country_code <> left_side.country_code
    where left_side.country_code in (select top_countries.country_code from top_countries)
        and right_side.country_code in (select top_countries.country_code from top_countries)
    group by left_side.country_code, right_side.country_code
),

final as (
    select
        pairs.country_code,
        pairs.other_country_code,
        pairs.sentence_count,
    from pairs
    order by pairs.sentence_count desc, pairs.country_code, pairs.other_country_code
)

select * from final
