MATCH (sco) WHERE 'SOZ' IN sco.aliases
MATCH (sco)-[r]-(x)
WITH r, x, coalesce(r.quote, x.quote) AS quote, coalesce(r.source, x.source) AS src
WHERE quote IS NOT NULL
MATCH (a:Article {key: src})
RETURN a.title AS article, type(r) AS link,
       coalesce(x.name, x.summary, x.status, x.key) AS what, quote
ORDER BY article, link;
