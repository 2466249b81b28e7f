-- One country's mentions per day, by kind.
-- params: country (text), since (date, default 1900-01-01), until (date, default 2999-12-31)
-- grain: one row per day on which the country is mentioned.
with final as (
    select
        daily.mention_date,
        daily.country_code,
        daily.country_name,
        daily.mention_count,
        daily.article_count,
        daily.name_count,
        daily.capital_count,
        daily.demonym_count,
        daily.place_count,
        daily.person_count,
        daily.organization_count,
    from country_mentions_daily as daily
    where daily.country_code = upper($country)
        and daily.mention_date between $since and $until
    order by daily.mention_date
)

select * from final
