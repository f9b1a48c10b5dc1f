"""store a print-size JPEG of each idea photo, which the ideas PDF embeds without decoding anything

Each stored photo (`data`, a WebP of at most 1600 px) is decoded once here, shrunk to fit the PDF's
print size and saved as a baseline JPEG. Photos are read a batch at a time, so memory stays flat
however many there are. A stored photo Pillow cannot read gets b"", which the PDF leaves out (as it
did before). The sizes are copied here rather than imported: the app's modules may change later.

Revision ID: 3f6a0c2e8b51
Revises: 7b2e4c9d1f03
Create Date: 2026-11-28 12:30:00.000000

"""
import io

from alembic import op
from PIL import Image, UnidentifiedImageError
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6a0c2e8b51'
down_revision = '7b2e4c9d1f03'
branch_labels = None
depends_on = None

PRINT_PIXELS = (709, 531)  # 150 dpi at the PDF's 120 × 90 mm photo box (engagement.competitions.report)
PRINT_QUALITY = 85
BATCH = 20  # photos of up to about 1 MB each


def upgrade():
    with op.batch_alter_table('idea_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('print_jpeg', sa.LargeBinary(), nullable=True))
    photos = sa.table('idea_photos', sa.column('id', sa.Integer), sa.column('data', sa.LargeBinary),
                      sa.column('print_jpeg', sa.LargeBinary))
    connection = op.get_bind()
    last_id = 0
    while True:
        batch = connection.execute(sa.select(photos.c.id, photos.c.data).where(photos.c.id > last_id)
                                   .order_by(photos.c.id).limit(BATCH)).all()
        if not batch:
            break
        for photo_id, data in batch:
            connection.execute(photos.update().where(photos.c.id == photo_id)
                               .values(print_jpeg=print_jpeg(data)))
        last_id = batch[-1].id
    with op.batch_alter_table('idea_photos', schema=None) as batch_op:
        batch_op.alter_column('print_jpeg', existing_type=sa.LargeBinary(), nullable=False)


def print_jpeg(data: bytes) -> bytes:
    """The stored photo as a baseline JPEG that fits PRINT_PIXELS, without metadata; b"" if unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return b""
    picture.thumbnail(PRINT_PIXELS, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=PRINT_QUALITY)
    return out.getvalue()


def downgrade():
    with op.batch_alter_table('idea_photos', schema=None) as batch_op:
        batch_op.drop_column('print_jpeg')
