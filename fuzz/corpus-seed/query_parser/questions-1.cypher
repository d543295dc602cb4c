AS OF fdate('2024-01-20')
MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(s:Membership)-[:ORGANISATION]->(o:Organisation),
      (s)-[:STAGE]->(st:MembershipStage)
RETURN o.name AS organisation, st.name AS stage, st.rank AS rank,
       s.status AS status, s.modality AS modality, s.date AS date, s.source AS article
ORDER BY organisation, rank, date;
