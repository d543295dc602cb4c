MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(s:Partnership)-[:PARTNER]->(:State {name: 'China'}),
      (s)-[:LEVEL]->(l:PartnershipLevel), (s)-[:SOURCE]->(a:Article)
RETURN l.rank AS rank, l.name AS level, s.status AS status, s.date AS reached,
       s.quote AS quote, a.title AS article
ORDER BY rank;
