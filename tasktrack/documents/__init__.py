"""Documents an office accepts: the one 公文 renderer (docx_writer) of the model in ``tasktrack.domain.gongwen``."""
