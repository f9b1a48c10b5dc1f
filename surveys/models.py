"""Survey definitions and the answers people give.

Answers are normalised, one row per answer (one per picked choice), so that
results are SQL aggregates over `answers`, never Python loops over responses.
"""
import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db, utcnow


def new_version() -> str:
    return secrets.token_urlsafe(9)  # 12 characters


class SurveyStatus(enum.Enum):
    """What staff set. The state people see also depends on the open and close times."""
    draft = "draft"
    open = "open"
    closed = "closed"


class SurveyState(enum.Enum):
    draft = "draft"
    scheduled = "scheduled"  # opened by staff, but the open time has not come yet
    open = "open"
    closed = "closed"


def new_lineage() -> str:
    return secrets.token_urlsafe(9)  # 12 characters


class SurveySeries(db.Model):
    """Rounds of the same survey, asked again (every year, before and after a trial): their questions and
    options that share a `lineage` key are the same question, so the rounds can be compared."""
    __tablename__ = "survey_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    # By table name only: the engine does not import the engagement package.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    surveys: Mapped[list["Survey"]] = relationship(back_populates="series", order_by="Survey.round")


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # By table name only: the engine does not import the engagement package.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    thanks: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="da")
    status: Mapped[SurveyStatus] = mapped_column(
        db.Enum(SurveyStatus, native_enum=False, length=20), default=SurveyStatus.draft)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A new random stamp whenever the survey, its questions, choices or pictures change (set by
    # surveys.structure on every flush that touches them): the answering pages keep the structure per
    # worker and compare this one column per request, so every app server sees a change at once.
    version: Mapped[str] = mapped_column(String(16), default=lambda: new_version())
    # A round of a series (surveys.rounds): which series, and its number in it (1 for the first).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("survey_series.id", ondelete="SET NULL"), index=True)
    round: Mapped[int | None]

    # Every page that shows a survey needs its questions and their options: load them
    # in two extra queries, not one per question.
    questions: Mapped[list["Question"]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan", lazy="selectin")
    series: Mapped["SurveySeries | None"] = relationship(back_populates="surveys")

    def state_at(self, now: datetime) -> SurveyState:
        return survey_state(self.status, self.opens_at, self.closes_at, now)

    @property
    def state(self) -> SurveyState:
        return self.state_at(utcnow())


def survey_state(status: SurveyStatus, opens_at: datetime | None, closes_at: datetime | None,
                 now: datetime) -> SurveyState:
    """The one rule for whether a survey takes answers, for a Survey (`Survey.state_at`) or its columns."""
    if status is SurveyStatus.draft:
        return SurveyState.draft
    if status is SurveyStatus.closed or (closes_at and now >= closes_at):
        return SurveyState.closed
    if opens_at and now < opens_at:
        return SurveyState.scheduled
    return SurveyState.open


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))  # a key of surveys.kinds.KINDS
    prompt: Mapped[str] = mapped_column(Text)
    help: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # Show this question only when the person picked this choice on an earlier question.
    show_if_choice_id: Mapped[int | None] = mapped_column(
        ForeignKey("choices.id", ondelete="SET NULL", use_alter=True))

    # The same in every round of a series for the question asked again (copied by surveys.rounds).
    lineage: Mapped[str] = mapped_column(String(16), default=lambda: new_lineage())

    survey: Mapped[Survey] = relationship(back_populates="questions")
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan",
        foreign_keys="Choice.question_id", lazy="selectin")
    show_if_choice: Mapped["Choice | None"] = relationship(foreign_keys=[show_if_choice_id], post_update=True)

    def setting(self, name: str, default=None):
        return (self.settings or {}).get(name, default)


class Choice(db.Model):
    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(300))
    image_id: Mapped[int | None] = mapped_column(ForeignKey("survey_images.id", ondelete="SET NULL"))
    # A kind with areas (a place question): the named area on its map, a polygon [[x, y], …] of shares of
    # the map's width and height (surveys.maps); a point inside it is counted as this option.
    shape: Mapped[list | None] = mapped_column(JSON)
    # The same in every round of a series for the option offered again.
    lineage: Mapped[str] = mapped_column(String(16), default=lambda: new_lineage())

    question: Mapped[Question] = relationship(back_populates="choices", foreign_keys=[question_id])
    image: Mapped["SurveyImage | None"] = relationship()


class SurveyImage(db.Model):
    """An option picture, for a kind with pictures (image choice). Kept in the database so every app
    server sees it."""
    __tablename__ = "survey_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # only the picture route reads it


class Response(db.Model):
    """One person's run through a survey. No IP address, no device data.

    `key` is the one-time submission token the first form carried; every later
    screen of the same run posts to it, so a repeated post updates, never duplicates.
    """
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(43), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # Attribution, set by whatever sent the person here (see surveys.answering.attribution_for).
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="SET NULL"), index=True)
    class_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="SET NULL"), index=True)
    # Set only when the survey ties answers to the person invited (engagement.invitations).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), index=True)

    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_responses_survey_completed", "survey_id", "completed_at"),)

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class Answer(db.Model):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    # No cascade: an option that people picked cannot disappear under their answers.
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("choices.id"))
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)
    # A place question's point, as shares (0–1) of its map's width and height from the top left.
    x: Mapped[float | None]
    y: Mapped[float | None]

    response: Mapped[Response] = relationship(back_populates="answers")

    __table_args__ = (
        Index("ix_answers_response_question", "response_id", "question_id"),
        # Results group answers by (question, choice, number) for a set of responses: in this
        # order the whole tally is one ordered pass over the index, with no sort.
        Index("ix_answers_tally", "question_id", "choice_id", "number", "response_id"),
    )
