"""The demo's report for the partnership: the young people's survey with a cross-tab and their own words,
the places they came from, the Algade 12 survey and the idea competition, over the last three months."""
from datetime import timedelta

from engagement.competitions.models import Competition
from engagement.models import Organisation
from engagement.reports.models import Report, ReportSection
from extensions import utcnow
from surveys.models import Survey
from surveys.timezone import to_local

INTRODUCTION = ("Her er, hvad unge og andre brugere af bymidten har fortalt os de seneste tre måneder: på "
                "plakaterne i skateparken, på gymnasiet og i vinduet i Algade 12, og i idékonkurrencen.\n\n"
                "Tallene vises kun, hvor mindst fem har svaret. Rapporten kan deles med partnerskabet via et link.")


def seed_report(session, org: Organisation, young: Survey, shop: Survey, competition: Competition) -> Report:
    """Flush, never commit."""
    today = to_local(utcnow()).date()
    age = young.questions[0]
    often = next(q for q in young.questions if q.prompt.startswith("Hvor tit"))
    report = Report(organisation_id=org.id, title="Bymidten set med unges øjne", introduction=INTRODUCTION,
                    since=today - timedelta(days=90), until=today)
    report.sections = [
        ReportSection(position=1, kind="survey", survey_id=young.id, options={
            "quotes": True, "crosstabs": [[often.id, f"question:{age.id}"], [often.id, "touchpoint"]]},
            text="De unge kommer oftest for at mødes med venner. Skateparken og havnen går igen."),
        ReportSection(position=2, kind="places", survey_id=young.id,
                      text="Plakaten i skateparken bliver scannet mest, men gymnasiet giver flest færdige svar."),
        ReportSection(position=3, kind="survey", survey_id=shop.id, options={},
                      text="Et værksted eller et mødested for unge står øverst på ønskelisten for Algade 12."),
        ReportSection(position=4, kind="competition", competition_id=competition.id,
                      text="De fem idéer med flest stemmer."),
    ]
    session.add(report)
    session.flush()
    return report
