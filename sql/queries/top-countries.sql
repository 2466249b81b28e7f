-- Countries by mention count between two dates, with the articles and days they appear in.
-- params: since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 10)
-- grain: one row per country.
with in_range as (
    select
        daily.country_code,
        daily.country_name,
        daily.mention_date,
        daily.mention_count,
        daily.article_count,
    from country_mentions_daily as daily
    where daily.mention_date between $since and $until
        and daily.mention_count > 0
),

per_country as (
    select
        in_range.country_code,
        any_value(in_range.country_name) as country_name,
        sum(in_range.mention_count)::bigint as mention_count,
        -- an article has one date, so per-day article counts add up without double counting
        sum(in_range.article_count)::bigint as article_count,
        count(*) as day_count,
        min(in_range.mention_date) as first_mention_date,
        max(in_range.mention_date) as last_mention_date,
    from in_range
    group by in_range.country_code
),

final as (
    select
        per_country.country_code,
        per_country.country_name,
        per_country.mention_count,
        per_country.article_count,
        per_country.day_count,
        per_country.first_mention_date,
        per_country.last_mention_date,
    from per_country
    order by per_country.mention_count desc, per_country.country_code
    limit $limit
)

select * from final
