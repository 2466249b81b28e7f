-- Countries mentioned in the same sentences as a given country.
-- params: country (text), since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 20)
-- grain: one row per other country.
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

shared as (
    select
        other.country_code,
        count(*) as sentence_count,
        count(distinct other.article_id) as article_count,
    from dated_sentences as anchor
    inner join dated_sentences as other
        on other.article_id = anchor.article_id
        and other.sentence_no = anchor.sentence_no
        and other.country_code <> anchor.country_code
    where anchor.country_code = upper($country)
    group by other.country_code
),

final as (
    select
        shared.country_code,
        countries.name as country_name,
        shared.sentence_count,
        shared.article_count,
    from shared
    left join countries
        on countries.country_code = shared.country_code
    order by shared.sentence_count desc, shared.country_code
    limit $limit
)

select * from final
