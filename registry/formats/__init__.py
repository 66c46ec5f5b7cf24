"""Date and number formats per language (``FORMAT_MODULE_PATH``), where Django's own differ
from the style the registry wants: English in the British style. Norwegian bokmål keeps
Django's ``nb`` formats ("30. november 2026", "30.11.2026")."""
