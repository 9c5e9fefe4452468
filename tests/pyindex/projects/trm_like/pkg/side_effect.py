open("written_by_import.txt", "w").write("imported!")
import os
os.makedirs("made_by_import", exist_ok=True)


class Safe:
    pass
