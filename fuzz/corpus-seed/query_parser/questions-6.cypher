MATCH (s:Statement)-[:SOURCE]->(a:Article)
WHERE s.modality <> 'accomplished'
RETURN s.modality AS modality, labels(s) AS kind,
       coalesce(s.summary, s.status) AS what, s.date AS date, a.file AS article, s.quote AS quote
ORDER BY modality, article;
